"""Entry point: `python app.py` runs the development server; gunicorn serves `app:server`."""
from dashboard.config import settings_from_env
from dashboard.web import create_app

settings = settings_from_env()
app = create_app(settings)
server = app.server

if __name__ == "__main__":
    print(f"London Children's Services Dashboards: http://{settings.host}:{settings.port}/")
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
