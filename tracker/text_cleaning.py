"""Text at the door: the one rule for what characters the record may hold (issue 17).

Staff paste from Word (a line break inside a paragraph is a vertical tab, ``\\x0b``) and from
PDFs (a page break is a form feed, ``\\x0c``); files bring NUL bytes and terminal escapes. XML 1.0,
and so the Atom feeds and the XLSX export, cannot carry any of them, and one such character used
to take a feed down with a 500. Every way in (admin forms, the importer, ``restore_record``,
``load_record``, the proposer) cleans text with ``clean_text`` before validating it, and every
XML output passes what it writes through ``clean_text`` again, for text stored before this rule.

The rule: a character that means a break becomes a line break, so a quote pasted from Word still
matches its source word for word; any other character XML 1.0 cannot carry is dropped.
"""

import re

from django import forms
from django.db import models

# Vertical tab (Word's line break), form feed (a PDF's page break), next line (EBCDIC's newline).
BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
# What XML 1.0 cannot carry (its Char production), besides the breaks: C0 controls other than tab,
# line feed and carriage return, lone surrogate halves, and the two non-characters U+FFFE, U+FFFF.
UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x85\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """``value`` with breaks made line breaks and every other character XML 1.0 cannot carry removed."""
    if not UNCARRIABLE.search(value):
        return value
    return UNCARRIABLE.sub(lambda match: BREAKS.get(match.group(), ""), value)


def is_text_field(field) -> bool:
    return isinstance(field, (models.CharField, models.TextField)) and not field.choices


def clean_text_fields(instance: models.Model) -> None:
    """Clean every text attribute of a model instance in place, before it is validated and saved."""
    for field in instance._meta.concrete_fields:
        if is_text_field(field):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, clean_text(value))


class TextCleaningForm(forms.BaseForm):
    """Mix into a form (before the Django class): its text fields see the submitted text cleaned.

    The data is cleaned before any field validates it, so Django's own refusal of NUL never
    fires and a form accepts exactly what the importer and the backup loader accept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        names = [self.add_prefix(name) for name, field in self.fields.items() if isinstance(field, forms.CharField)]
        data = self.data.copy()
        for name in names:
            if name not in data:
                continue
            if hasattr(data, "setlist"):
                data.setlist(name, [_cleaned(value) for value in data.getlist(name)])
            else:
                data[name] = _cleaned(data[name])
        self.data = data


def _cleaned(value):
    return clean_text(value) if isinstance(value, str) else value


class TextCleaningModelForm(TextCleaningForm, forms.ModelForm):
    pass
