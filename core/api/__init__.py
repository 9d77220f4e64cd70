"""The API base every app builds on: the error body, pagination, fields, filters, permissions."""
