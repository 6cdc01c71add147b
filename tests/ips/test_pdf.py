from ips.pdf import render_pdf


def test_render_pdf_makes_a_pdf_with_the_page_text():
    pdf = render_pdf("outcomes/pdf/_test_page.html", {"title": "Quarter report", "width": 40})
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 500
