import json
import logging

from shared.logs import JsonFormatter, request_id_var


def test_a_log_line_is_json_with_the_request_id() -> None:
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("spn", logging.INFO, __file__, 1, "hello %s", ("Երևան",), None)
        record.status = 201
        line = json.loads(JsonFormatter("registry").format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "hello Երևան"
    assert line["request_id"] == "req-42"
    assert line["service"] == "registry"
    assert line["status"] == 201
