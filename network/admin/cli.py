"""The back office's commands: `flask --app network backup` / `restore` (top level)."""

from __future__ import annotations

from network.admin.backup import backup_command, restore_command

commands = (backup_command, restore_command)
