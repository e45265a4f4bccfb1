"""Entry point: `python app.py` runs the development server; gunicorn serves `app:server`."""
import os

from dashboard.config import settings_from_env
from dashboard.warming import start_view_warming
from dashboard.web import QuietRequestHandler, create_app

settings = settings_from_env()
app = create_app(settings)
server = app.server

if __name__ == "__main__":
    print(f"London Children's Services Dashboards: http://{settings.host}:{settings.port}/")
    if not settings.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true":   # the reloader's child serves, not its parent
        start_view_warming(server)   # gunicorn starts it per worker (gunicorn.conf.py)
    app.run(host=settings.host, port=settings.port, debug=settings.debug, request_handler=QuietRequestHandler)
