"""The list's selection box is rendered once and given each row's id: the same markup the
theme renders per row, so selecting rows for an action still works."""

from types import SimpleNamespace

from django.contrib import admin
from django.contrib.admin import helpers
from unfold.admin import checkbox as themed_checkbox

from cases.models import Case


def test_the_row_checkbox_is_the_themes_markup_with_the_rows_id():
    model_admin = admin.site.get_model_admin(Case)  # a ConsoleAdmin
    for pk in (1, 42, 9_007_199_254_740_993):
        row = SimpleNamespace(pk=pk)
        expected = themed_checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(pk))
        assert model_admin.action_checkbox(row) == expected
    assert 'value="42"' in model_admin.action_checkbox(SimpleNamespace(pk=42))
    assert model_admin.action_checkbox.short_description  # the select-all box in the header
