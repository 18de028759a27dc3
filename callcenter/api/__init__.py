"""HTTP + WebSocket API for the consoles: auth, schemas, error ids.

Build it with :func:`create_app` in the composition root; importing this
package connects to nothing.
"""

from callcenter.api.app import create_app
from callcenter.api.settings import ApiSettings
from callcenter.api.users import DatabaseUsers, UserDirectory

__all__ = ["ApiSettings", "DatabaseUsers", "UserDirectory", "create_app"]
