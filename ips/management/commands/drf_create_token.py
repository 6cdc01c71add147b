"""`drf_create_token USER`: an operator issues an API token and reads its key, once.

The name and output of DRF's command (`Generated token <key> for user <username>`), which this
replaces (`rest_framework.authtoken` is not installed): the token is an `ips.models.ApiToken`,
stored as a digest and expiring after API_TOKEN_DAYS days (`--days N`: fewer). Each run issues a
new token, since no stored key can be shown again; `--reset` revokes the user's other tokens
first.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ips import services
from ips.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token (shown once, stored hashed, expiring) for a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", type=str)
        parser.add_argument(
            "-r",
            "--reset",
            action="store_true",
            dest="reset_token",
            help="Revoke the user's other API tokens first.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default and longest: API_TOKEN_DAYS).",
        )
        parser.add_argument(
            "--name",
            default="Issued by an operator",
            help="What the token is for, as the user's token page shows it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"Cannot create the Token: user {username} does not exist") from None
        try:
            with transaction.atomic():
                if options["reset_token"]:
                    for token in ApiToken.objects.filter(user=user):
                        services.api_token_revoke(token=token)
                token, key = services.api_token_create(
                    user=user, name=options["name"], days=options["days"]
                )
        except ValidationError as error:
            raise CommandError(f"Cannot create the Token: {' '.join(error.messages)}") from None
        self.stdout.write(f"Generated token {key} for user {username}")
