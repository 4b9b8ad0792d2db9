"""The admin's "Add source from text": paste a speech, review the proposed events, save the ticked ones (issue 9).

Nothing is written until staff press Save; then the source and every ticked
event are saved in one transaction, or nothing is.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.proposals import MAX_TEXT_LENGTH, NEW_INSTRUMENT, Mention, propose_events
from tracker.status import status_matrix
from tracker.text_cleaning import TextCleaningForm

REQUIRED_PERMISSIONS = ("tracker.add_event", "tracker.add_sourcedocument")


# "start-end" pairs joined by commas, as initial_rows writes them; anything else was not written by this page.
MARKS_FORMAT = re.compile(r"^(?:\d{1,7}-\d{1,7}(?:,\d{1,7}-\d{1,7})*)?$")


class SourceTextForm(TextCleaningForm, forms.ModelForm):
    class Meta:
        model = SourceDocument
        fields = ["title", "kind", "date", "speaker", "place", "url", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 20, "cols": 100})}

    def clean_text(self):
        # The reader's cost grows with the text; a whole newspaper pasted by mistake gets a clear answer (issue 13).
        text = self.cleaned_data["text"]
        if len(text) > MAX_TEXT_LENGTH:
            raise ValidationError(
                _(
                    "The text is %(length)s characters long; the reader reads at most %(limit)s. Paste only the part "
                    "that reports the events."
                ),
                params={"length": f"{len(text):,}", "limit": f"{MAX_TEXT_LENGTH:,}"},
                code="too_long",
            )
        return text


class ProposalForm(TextCleaningForm, forms.Form):
    """One proposed event as staff review it: ticked to save, every field open to correction."""

    selected = forms.BooleanField(label=_("save"), required=False)
    # Labels in the staff's language: /ru/admin/ reviewed Russian texts under English labels (issue 13).
    instrument = forms.ModelChoiceField(Instrument.objects.all(), label=_("instrument"), required=False)
    state = forms.ModelChoiceField(
        MemberState.objects.all(), label=_("member state"), required=False, help_text=_("Empty: all states.")
    )
    type = forms.ChoiceField(label=_("event type"), choices=Event.Type.choices)
    date = forms.DateField(label=_("date"))
    precision = forms.ChoiceField(label=_("date precision"), choices=Event.Precision.choices)
    inferred = forms.BooleanField(label=_("inferred"), required=False)
    quote = forms.CharField(label=_("quote"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
    # Where the matched names stand in the quote ("start-end,..."), to highlight them again after an error.
    marks = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    new_title = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if "marks" in cleaned and not MARKS_FORMAT.match(cleaned["marks"]):
            self.add_error("marks", _("Not a list of highlighted names."))
        if "marks" in self.errors or "new_title" in self.errors:
            # A hidden field's error would not show beside it: say it on the row (issue 13).
            self.add_error(None, _("This row's hidden fields were altered; propose the events again."))
        if cleaned.get("selected") and not cleaned.get("instrument"):
            self.add_error("instrument", _("Choose the instrument; add it first if the tracker does not know it."))
        return cleaned

    def value(self, name):
        return self[name].value() or ""

    def highlighted_quote(self):
        """The quote, escaped, with the matched names wrapped in <mark> (none if the marks were tampered with)."""
        marks = self.value("marks")
        return highlight(self.value("quote"), parse_marks(marks) if MARKS_FORMAT.match(marks) else [])

    def event(self, source: SourceDocument) -> Event:
        data = self.cleaned_data
        return Event(
            source=source,
            instrument=data["instrument"],
            state=data["state"],
            type=data["type"],
            date=data["date"],
            precision=data["precision"],
            inferred=data["inferred"],
            quote=data["quote"],
            note=data["note"],
        )


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every row offers the same choices: read them once, not once per row.
        instrument_choices = list(self.form.base_fields["instrument"].choices)
        state_choices = list(self.form.base_fields["state"].choices)
        for form in self.forms:
            form.fields["instrument"].choices = instrument_choices
            form.fields["state"].choices = state_choices

    def clean(self):
        super().clean()
        # A negative count would read as "no rows" and save the source without the events staff ticked.
        if self.is_bound and int(self.management_form.cleaned_data.get("TOTAL_FORMS", 0)) < 0:
            raise ValidationError(_("The page's list of proposals was altered; propose the events again."))

    def ticked(self):
        return [form for form in self.forms if form.cleaned_data.get("selected")]


ProposalFormSet = forms.formset_factory(ProposalForm, formset=BaseProposalFormSet, extra=0)


def parse_marks(value: str) -> list[Mention]:
    marks = []
    for part in value.split(","):
        start, _, end = part.partition("-")
        if start.isdigit() and end.isdigit():
            marks.append(Mention(int(start), int(end)))
    return marks


def highlight(text: str, marks: list[Mention]):
    pieces, position = [], 0
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start < position or mark.end > len(text) or mark.start >= mark.end:
            continue  # the quote was edited: its old marks no longer fit
        pieces += [escape(text[position : mark.start]), "<mark>", escape(text[mark.start : mark.end]), "</mark>"]
        position = mark.end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def initial_rows(proposals) -> list[dict]:
    return [
        {
            # Event candidates start ticked; a "new instrument?" row cannot be saved until one is chosen.
            "selected": proposal.type != NEW_INSTRUMENT,
            "instrument": proposal.instrument,
            "state": proposal.state,
            "type": Event.Type.ADOPTED if proposal.type == NEW_INSTRUMENT else proposal.type,
            "date": proposal.date,
            "precision": proposal.precision,
            "inferred": proposal.inferred,
            "quote": proposal.sentence,
            "note": proposal.note,
            "marks": ",".join(f"{mark.start}-{mark.end}" for mark in proposal.marks),
            "new_title": proposal.new_title,
        }
        for proposal in proposals
    ]


def unique_source_slug(source: SourceDocument) -> str:
    base = slugify(f"{source.title[:120]} {source.date:%Y-%m-%d}")[:140] or f"source-{source.date:%Y-%m-%d}"
    slug, n = base, 2
    while SourceDocument.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_source_with_events(*, source_form: SourceTextForm, formset: BaseProposalFormSet) -> SourceDocument | None:
    """Save the source and its ticked events, all or nothing; on a failure the rows carry the errors."""
    with transaction.atomic():
        source = source_form.save(commit=False)
        source.slug = unique_source_slug(source)
        source.save()
        failed = False
        for form in formset.ticked():
            event = form.event(source)
            try:
                # full_clean checks the quote against the text and the unique constraints against rows saved before.
                event.full_clean()
            except ValidationError as error:
                failed = True
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                continue
            event.save()
        if failed:
            transaction.set_rollback(True)
            return None
    return source


def propose_view(request):
    if not request.user.has_perms(REQUIRED_PERMISSIONS):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": _("Add source from text"), "opts": SourceDocument._meta}
    if request.method != "POST" or "edit" in request.POST:
        source_form = SourceTextForm(request.POST if request.method == "POST" else None)
        return render(request, "admin/tracker/sourcedocument/add_from_text.html", {**context, "form": source_form})
    source_form = SourceTextForm(request.POST)
    if not source_form.is_valid():
        return render(request, "admin/tracker/sourcedocument/add_from_text.html", {**context, "form": source_form})
    if "save" in request.POST:
        formset = ProposalFormSet(request.POST, prefix="proposals")
        if formset.is_valid():
            source = save_source_with_events(source_form=source_form, formset=formset)
            if source:
                count = len(formset.ticked())
                message = ngettext(
                    "Saved “%(source)s” with %(count)d event.", "Saved “%(source)s” with %(count)d events.", count
                )
                messages.success(request, message % {"source": source, "count": count})
                return HttpResponseRedirect(reverse("admin:tracker_sourcedocument_change", args=[source.pk]))
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    else:
        data = source_form.cleaned_data
        # The record as it stands lets the proposer skip states a vague mention adds nothing for.
        proposals = propose_events(data["text"], date=data["date"], record=status_matrix(as_of=data["date"]))
        formset = ProposalFormSet(initial=initial_rows(proposals), prefix="proposals")
    return render(
        request,
        "admin/tracker/sourcedocument/add_from_text_review.html",
        {**context, "form": source_form, "formset": formset, "title": _("Review the proposed events")},
    )
