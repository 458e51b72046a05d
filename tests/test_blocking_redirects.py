"""Redirects that mean "gone": to the site's home page or to the home of the portal a page lives under."""

from extraction.blocking import classify_response, redirects_home


def test_redirect_to_a_home_page_is_a_soft_404():
    page = "http://gov.example/qinghe/zwgk/fzzfjs/202402/t20240225_4821483.html"
    assert redirects_home(page, "http://gov.example/qinghe/index.html")
    assert redirects_home(page, "http://gov.example/")
    assert redirects_home(page, "http://www.other.example/index.html")
    assert classify_response(302, {}, b"", page, "http://gov.example/qinghe/index.html")[0] == "soft_404"
    assert classify_response(200, {}, b"<html>home</html>", page, "http://gov.example/")[0] == "soft_404"


def test_other_redirects_are_not():
    page = "http://gov.example/qinghe/zwgk/t1.html"
    assert not redirects_home(page, "http://gov.example/yunling/index.html")  # another portal's home
    assert not redirects_home(page, "http://gov.example/qinghe/zwgk/t2.html")  # moved, not gone
    assert not redirects_home(page, "https://www.other.example/qinghe/zwgk/t1.html")
    assert not redirects_home("http://gov.example/index.html", "http://gov.example/")  # a home to a home
    assert classify_response(302, {}, b"", page, "http://gov.example/qinghe/zwgk/t2.html")[0] == "error"
