"""The disposition (tag) tree: selectable leaves name the case kinds they may resolve."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class DispositionTag(models.Model):
    """A node of the tag tree; selectable leaves list the case kinds they may resolve."""

    path = models.CharField(max_length=255, unique=True)
    label = models.CharField(max_length=160)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    kinds = ArrayField(models.CharField(max_length=48), default=list, blank=True)
    is_selectable = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path

    def applies_to(self, kind: str) -> bool:
        return self.is_selectable and kind in self.kinds
