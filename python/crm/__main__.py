"""``python -m crm ...`` runs the ``crm`` command."""

from crm.cli import console

console()
