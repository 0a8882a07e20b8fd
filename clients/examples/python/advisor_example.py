#!/usr/bin/python3
"""Talks to dirigo-server from Python, as an integrating app would.

Generate the stubs first (docs/API.md, "From Python"), then:

    PYTHONPATH=STUBS_DIR /usr/bin/python3 advisor_example.py 127.0.0.1:50051

It checks the service's health, starts a conversation, sends two messages
(one retried with the same request id), reads back what the bot keeps, and
shows how an error's machine-readable details are decoded. It prints what it
does, one line per step.
"""
import sys

import grpc

from dirigo.v1 import advisor_pb2, advisor_pb2_grpc
from google.rpc import error_details_pb2, status_pb2
# Generated from proto/grpc/health/v1 on its own: a top-level module, so that
# it does not hide the installed `grpc` package.
import health_pb2
import health_pb2_grpc


def error_details(error):
    """The reason and the field at fault of a failed call's details."""
    reason, field = "", ""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(info):
                reason = info.reason
            elif detail.Unpack(bad) and bad.field_violations:
                field = bad.field_violations[0].field
    return reason, field


def main(address):
    channel = grpc.insecure_channel(address)
    health = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service="dirigo.v1.Advisor"), timeout=10)
    print("health:", health_pb2.HealthCheckResponse.ServingStatus.Name(health.status))

    advisor = advisor_pb2_grpc.AdvisorStub(channel)
    created = advisor.CreateSession(
        advisor_pb2.CreateSessionRequest(locale="it", channel="python-example"),
        timeout=10)
    name = created.session.name
    print("bot:", created.turn.messages[0].text)

    request = advisor_pb2.ConverseRequest(
        session=name, text="ho la laurea triennale in economia",
        request_id="py-1", omit_trace=True)
    first = advisor.Converse(request, timeout=10)
    # A retry (after a timeout, say) with the same id gets the same turn.
    again = advisor.Converse(request, timeout=10)
    print("bot:", first.turn.messages[0].text)
    print("retry gave the same turn:", first == again)

    session = advisor.GetSession(advisor_pb2.GetSessionRequest(session=name),
                                 timeout=10)
    print("turns:", session.turn_count,
          "education:", advisor_pb2.EducationLevel.Name(session.profile.education_level),
          "transcript entries:", len(session.transcript))

    try:
        advisor.Converse(advisor_pb2.ConverseRequest(
            session=name, text="x" * 5000), timeout=10)
    except grpc.RpcError as error:
        reason, field = error_details(error)
        print("error:", error.code().name, reason, field)

    advisor.DeleteSession(advisor_pb2.DeleteSessionRequest(session=name),
                          timeout=10)
    try:
        advisor.GetSession(advisor_pb2.GetSessionRequest(session=name), timeout=10)
    except grpc.RpcError as error:
        print("after delete:", error.code().name, error_details(error)[0])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")
