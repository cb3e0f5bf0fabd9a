"""Every page names an icon, and /favicon.ico (which browsers fetch on their own) is there."""

from __future__ import annotations

import re


def test_favicon_ico_is_served_to_anyone(client) -> None:
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert "icon" in response.content_type


def test_pages_link_their_icons_and_the_links_resolve(client) -> None:
    page = client.get("/").get_data(as_text=True)
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert len(links) == 2
    for href in links:
        with client.get(href) as response:
            assert response.status_code == 200, href
