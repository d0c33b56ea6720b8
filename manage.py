#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teranga.settings")
    # A shell command on a developer's checkout works as is; the web server (wsgi) keeps the
    # production default, and a server's environment file sets TERANGA_ENV=production.
    os.environ.setdefault("TERANGA_ENV", "dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
