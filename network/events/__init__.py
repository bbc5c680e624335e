"""Events: forums, territorial breakfasts, evenings; registration, waitlist, calendar invites."""
