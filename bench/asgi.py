"""The portal's ASGI application plus its static files, for benchmarks that drive a browser.

In production nginx serves ``/static/``; plain Daphne serves none. Serving
them in the server keeps the browser's requests as they would be: answering
them from the test driver instead (Playwright's routing) pauses every request
of the page, the tiles' pictures included, for a round trip to the driver.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from portal.asgi import application as portal_application

application = ASGIStaticFilesHandler(portal_application)
