"""Shapes of the messages API."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Attachment, Message, Party


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size"]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    delivery = serializers.SerializerMethodField(
        help_text='A message sent: "pending", "sent" or "failed" (from the outbox); null for '
        "a message received."
    )
    delivery_error = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "case",
            "direction",
            "channel",
            "party",
            "author",
            "from_address",
            "from_name",
            "to",
            "subject",
            "text",
            "html",
            "automatic",
            "template",
            "message_id",
            "at",
            "delivery",
            "delivery_error",
            "attachments",
        ]
        read_only_fields = fields

    def get_delivery(self, message: Message) -> str | None:
        return message.outgoing.state if message.outgoing_id else None

    def get_delivery_error(self, message: Message) -> str:
        return message.outgoing.last_error if message.outgoing_id else ""


class MessageCreateSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[Party.CUSTOMER, Party.PARTNER])
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(max_length=10_000)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Attachments (multipart)."
    )
