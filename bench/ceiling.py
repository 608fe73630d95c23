"""The ceilings the site is measured against: the same bytes from a minimal Flask app, and from a
bare WSGI callable, both under waitress with the site's thread count.

Run by bench/throughput.py:  python bench/ceiling.py flask|wsgi ANSWERS.json PORT THREADS
ANSWERS.json maps "path?query" to {"status", "headers", "body" (base64)} as the site answered.
"""
import base64
import json
import sys

from flask import Flask, Response, request
from waitress import serve


def load(path):
    with open(path) as handle:
        answers = json.load(handle)
    return {key: (value["status"], value["headers"], base64.b64decode(value["body"]))
            for key, value in answers.items()}


def bare_app(answers):
    def application(environ, start_response):
        key = environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING"):
            key += "?" + environ["QUERY_STRING"]
        status, headers, body = answers[key]
        start_response(f"{status} OK", list(headers.items()) + [("Content-Length", str(len(body)))])
        return [body]

    return application


def flask_app(answers):
    app = Flask("ceiling")

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def answer(path):
        key = "/" + path + ("?" + request.query_string.decode() if request.query_string else "")
        status, headers, body = answers[key]
        return Response(body, status=status, headers=headers)

    return app


def main():
    kind, answers_file, port, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    answers = load(answers_file)
    app = bare_app(answers) if kind == "wsgi" else flask_app(answers)
    serve(app, host="127.0.0.1", port=port, threads=threads, ident="ceiling", _quiet=True)


if __name__ == "__main__":
    main()
