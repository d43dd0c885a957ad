"""core/formdata.py reads a browser's multipart form as Django's MultiPartParser does (issue 19).

Generated forms, encoded as a browser encodes them and often spoiled (a file, another header, a
broken delimiter, bytes that are no UTF-8): whatever the one-pass reader returns equals what
Django's request.POST holds, and it steps aside for files and for every shape it does not know.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ketenzicht.core import formdata

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
KIND = f"multipart/form-data; boundary={BOUNDARY}"


def _django(body: bytes, kind: str = KIND) -> tuple[dict[str, list[str]], list[str]]:
    environ = RequestFactory().post("/melden/", body, content_type=kind).environ
    environ["wsgi.input"] = io.BytesIO(body)
    request = WSGIRequest(environ)
    return dict(request.POST.lists()), list(request.FILES)


def _text_part(name: str, value: bytes) -> bytes:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"


EMPTY_FILE = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
              "Content-Type: application/octet-stream\r\n\r\n\r\n").encode()
A_FILE = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="foto.png"\r\n'
          "Content-Type: image/png\r\n\r\n\x89PNG\r\n").encode()
ODD_PARTS = [
    EMPTY_FILE, A_FILE,
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\nContent-Type: text/plain\r\n\r\nwaarde\r\n'.encode(),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\nContent-Transfer-Encoding: base64\r\n\r\nd2FhcmRl\r\n'.encode(),
    f'--{BOUNDARY}\r\ncontent-disposition: form-data; name="x"\r\n\r\nwaarde\r\n'.encode(),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="Naam"\r\n\r\nwaarde\r\n'.encode(),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name=x\r\n\r\nwaarde\r\n'.encode(),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\n--{BOUNDARY}\r\n'.encode(),
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\n\nwaarde\r\n'.encode(),
    # A file of unknown kind, and a nameless file part that has content after all.
    (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="a.bin"\r\n'
     "Content-Type: application/octet-stream\r\n\r\ninhoud\r\n").encode(),
    (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
     "Content-Type: application/octet-stream\r\n\r\ninhoud\r\n").encode(),
    (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="leeg.bin"\r\n'
     "Content-Type: application/octet-stream\r\n\r\n\r\n").encode(),
]
_names = st.sampled_from(["description", "situations", "municipality", "form_key", "website", "actie", "a_b"])
_values = st.one_of(
    st.text(max_size=30).map(str.encode),
    st.sampled_from([b"", b"Zo\xc3\xab", b"\xff\xfe", b"regel\r\nnog een", b"a\x00b", b"--", f"--{BOUNDARY}".encode(), b"\r\n"]),
)
_parts = st.lists(st.one_of(st.tuples(_names, _values).map(lambda pair: _text_part(*pair)), st.sampled_from(ODD_PARTS)), max_size=8)
_endings = st.sampled_from([f"--{BOUNDARY}--\r\n"] * 4 + [f"--{BOUNDARY}--", f"--{BOUNDARY}\r\n", "", f"--{BOUNDARY}--\r\nna"])


@hsettings(max_examples=600, deadline=None)
@given(parts=_parts, ending=_endings)
def test_what_the_reader_returns_django_reads_the_same(parts: list[bytes], ending: str) -> None:
    body = b"".join(parts) + ending.encode()
    read = formdata.parse(body, KIND)
    if read is None:
        return
    fields, files = _django(body)
    assert dict(read.lists()) == fields and files == []


def test_a_browsers_plain_report_is_read_and_a_file_is_left_to_django() -> None:
    plain = _text_part("description", "Veel mensen in één woning.\r\nBusjes.".encode()) + _text_part("situations", b"arbeid") + \
        _text_part("situations", b"seksueel") + EMPTY_FILE + _text_part("website", b"") + f"--{BOUNDARY}--\r\n".encode()
    read = formdata.parse(plain, KIND)
    assert read is not None and dict(read.lists()) == _django(plain)[0]
    assert read.getlist("situations") == ["arbeid", "seksueel"] and read["photos"] == "" and not read._mutable
    with_file = _text_part("description", b"x") + A_FILE + f"--{BOUNDARY}--\r\n".encode()
    assert formdata.parse(with_file, KIND) is None and _django(with_file)[1] == ["photos"]


def test_another_content_type_or_boundary_is_left_to_django() -> None:
    body = _text_part("description", b"x") + f"--{BOUNDARY}--\r\n".encode()
    for kind in ("application/x-www-form-urlencoded", "multipart/form-data", f'multipart/form-data; boundary="{BOUNDARY}"',
                 "multipart/form-data; boundary=anders", f"multipart/mixed; boundary={BOUNDARY}"):
        assert formdata.parse(body, kind) is None, kind


def test_the_number_of_parts_is_bounded(settings: Any) -> None:
    body = b"".join(_text_part("a", b"1") for _ in range(formdata.MAX_PARTS + 1)) + f"--{BOUNDARY}--\r\n".encode()
    assert formdata.parse(body, KIND) is None


_types = st.one_of(
    st.builds(
        lambda sep, boundary: f"multipart/form-data;{sep}boundary={boundary}",
        st.sampled_from(["", " ", "  ", "\t"]),
        st.text(alphabet="ABCxyz019_-.()/:=?,;\"' é", min_size=0, max_size=75),
    ),
    st.sampled_from([
        "application/x-www-form-urlencoded", "application/json", "", "text/plain; charset=utf-8", "MULTIPART/FORM-DATA; boundary=abc",
        "multipart/form-data; boundary=\"quoted-boundary\"", "multipart/form-data; charset=utf-8; boundary=abc",
        "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "multipart/form-data; boundary=----geckoformboundary1f2e",
        "multipart/form-data; boundary=---------------------------974767299852498929531610575", "multipart/form-data; Boundary=abc",
    ]),
)


@hsettings(max_examples=400, deadline=None)
@given(_types)
def test_the_request_reads_every_content_type_as_django_does(kind: str) -> None:
    """wsgi.Handler's request class (core/formdata.Request) takes a browser's multipart type
    itself; whatever the type, it holds what Django's own request holds."""
    environ = RequestFactory().post("/melden/", b"", content_type="text/plain").environ
    environ["CONTENT_TYPE"] = kind
    try:
        expected = WSGIRequest(environ)
    except ValueError:  # an encoding Django refuses: refused the same way
        try:
            formdata.Request(environ)
        except ValueError:
            return
        raise AssertionError(kind) from None
    ours = formdata.Request(environ)
    assert (ours.content_type, ours.content_params, ours.encoding) == (expected.content_type, expected.content_params, expected.encoding)
