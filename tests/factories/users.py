"""Users, optionally in a role group."""

import factory
from django.contrib.auth.models import Group, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="agent") puts the user in that role group."""
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()
