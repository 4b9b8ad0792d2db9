"""The outstanding-ratifications report as files staff can work with: Word for drafting, PDF for printing (issue 16)."""
