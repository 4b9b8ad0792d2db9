"""The outstanding-ratifications report: a page, a Word document and a PDF from the same answer (issue 16)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from tracker.forms import OutstandingReportForm
from tracker.outstanding import outstanding_report
from tracker.reports.pdf import report_pdf
from tracker.reports.word import report_docx
from tracker.views.paging import render_bad_request

DOCUMENTS = {
    "docx": (report_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (report_pdf, "application/pdf"),
}


def outstanding(request):
    form = OutstandingReportForm(request.GET)
    context = {"date_form": form, "forms": [form]}
    if not form.is_valid():
        return render_bad_request(request, "tracker/reports/outstanding.html", context)
    data = form.cleaned_data
    report = outstanding_report(as_of=data["as_of"], since=data["since"], state=data["state"])
    context |= {"report": report, "as_of": report.as_of, "made_on": timezone.localdate()}
    if data["format"] in DOCUMENTS:
        build, content_type = DOCUMENTS[data["format"]]
        response = HttpResponse(build(report, context, request), content_type=content_type)
        name = f"outstanding-ratifications-{report.as_of.isoformat()}-{get_language()}.{data['format']}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "tracker/reports/outstanding.html", context)
