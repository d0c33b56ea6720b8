from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages without msgmerge's fuzzy guesses: a new string starts untranslated
    (and fails the catalog tests) instead of borrowing a wrong translation."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
