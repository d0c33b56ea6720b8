from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from teranga.network.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for a staff user; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}.")
        _, raw = api_token_create(user=user, name=name)
        self.stdout.write(f"Token created for {username}. Copy it now: it will not be shown again.")
        self.stdout.write(raw)
