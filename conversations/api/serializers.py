"""Shapes of the messages API."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Attachment, Audience, ChannelName, Language, Message, ReplyTemplate
from ..templating import placeholders_in


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
    to = serializers.ChoiceField(
        choices=Audience.choices,
        required=False,
        help_text="Required without a template (a template names its audience).",
    )
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        help_text="Required without a template; with one, replaces its filled body.",
    )
    channel = serializers.ChoiceField(
        choices=ChannelName.choices,
        default="email",
        help_text="e-mail is sent from here; sms and whatsapp go out as message.requested"
        " events for the company's messaging platform.",
    )
    template = serializers.CharField(required=False, max_length=64, help_text="A template key.")
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    task = serializers.IntegerField(
        required=False, help_text="The task this message answers: closed as done by it."
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Attachments (multipart)."
    )

    def validate(self, data: dict) -> dict:
        if not data.get("template"):
            errors = {}
            if not data.get("to"):
                errors["to"] = ["Write to the customer or the partner."]
            if not (data.get("body") or "").strip():
                errors["body"] = ["Write the message."]
            if data.get("task"):
                errors["task"] = ["A task is answered with its template."]
            if errors:
                raise serializers.ValidationError(errors)
        return data


class DraftSerializer(serializers.Serializer):
    key = serializers.CharField()
    language = serializers.CharField()
    name = serializers.CharField()
    to = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()


class ReplyTemplateSerializer(serializers.ModelSerializer):
    placeholders = serializers.SerializerMethodField()

    class Meta:
        model = ReplyTemplate
        fields = [
            "id",
            "key",
            "language",
            "name",
            "audience",
            "subject",
            "body",
            "then_transition",
            "then_tag",
            "then_priority",
            "active",
            "placeholders",
            "updated_at",
        ]
        read_only_fields = fields

    def get_placeholders(self, template: ReplyTemplate) -> list[str]:
        return sorted(set(placeholders_in(template.subject) + placeholders_in(template.body)))
