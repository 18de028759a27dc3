"""The login screen: server, user, password."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static


class LoginScreen(Screen[None]):
    """Asks who is logging in, where; the app does the rest."""

    CSS_PATH = "../styles/login.tcss"
    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    error: reactive[str] = reactive("")
    busy: reactive[bool] = reactive(False)

    class Submitted(Message):
        """The user asked to log in."""

        def __init__(self, server: str, username: str, password: str) -> None:
            super().__init__()
            self.server = server
            self.username = username
            self.password = password

    def __init__(self, server: str, username: str = "", error: str = "") -> None:
        super().__init__()
        self.server = server
        self.username = username
        self.set_reactive(LoginScreen.error, error)

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Label("Contact center console", id="login-title")
            yield Label("Server")
            yield Input(self.server, placeholder="http://host:8080", id="server")
            yield Label("User")
            yield Input(self.username, placeholder="user name", id="username")
            yield Label("Password")
            yield Input(placeholder="password", password=True, id="password")
            yield Static(self.error, id="login-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        target = "#password" if self.server and self.username else ("#username" if self.server else "#server")
        self.query_one(target, Input).focus()

    def watch_error(self, error: str) -> None:
        if self.is_mounted:
            self.query_one("#login-error", Static).update(error)

    def watch_busy(self, busy: bool) -> None:
        if self.is_mounted and busy:
            self.query_one("#login-error", Static).update("logging in…")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        fields = {name: self.query_one(f"#{name}", Input).value.strip() for name in ("server", "username")}
        password = self.query_one("#password", Input).value
        for name in ("server", "username"):
            if not fields[name]:
                self.query_one(f"#{name}", Input).focus()
                return
        if not password:
            self.query_one("#password", Input).focus()
            return
        if not self.busy:
            self.busy = True
            self.post_message(self.Submitted(fields["server"], fields["username"], password))

    def failed(self, error: str) -> None:
        """Show why the login did not work and let the user try again."""
        self.busy = False
        self.error = error
        box = self.query_one("#password", Input)
        box.value = ""
        box.focus()
