"""The console's screens: login, agent, supervisor, and small dialogs."""
