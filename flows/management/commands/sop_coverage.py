"""manage.py sop_coverage [--write]: the generated "what the system does" part of
docs/sop-coverage.md (printed, or written into the file between its markers)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from flows.coverage import END, START, markdown

DOC = Path(settings.BASE_DIR) / "docs" / "sop-coverage.md"


def write(doc: Path = DOC) -> None:
    """Replace the generated section of the doc (append it the first time)."""
    text = doc.read_text()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + markdown() + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + markdown()
    doc.write_text(text)


class Command(BaseCommand):
    help = "Print (or --write into docs/sop-coverage.md) what the system does per SOP outcome."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, **options):
        if options["write"]:
            write()
            self.stdout.write(f"Wrote {DOC}")
        else:
            self.stdout.write(markdown())
