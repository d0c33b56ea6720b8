"""The JSON API under /api/v1/: one NinjaAPI mounting each app's router."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from teranga.cases.api import router as cases_router
from teranga.lib.errors import ServiceError
from teranga.listening.api import router as listening_router
from teranga.network.api import router as network_router
from teranga.quality.actions_api import router as quality_actions_router
from teranga.quality.api import router as quality_router
from teranga.quality.audits_api import router as quality_audits_router
from teranga.quality.campaigns_api import router as quality_campaigns_router
from teranga.quality.mystery_api import router as quality_mystery_router
from teranga.quality.training_api import router as quality_training_router
from teranga.reception.api import router as reception_router
from teranga.steering.api import router as steering_router


class TerangaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Every operation that takes a body documents the 413 that ApiErrorsMiddleware answers,
        before any parsing, to a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        too_large = {
            "description": "Request body too large.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"detail": {"type": "string"}},
                        "required": ["detail"],
                    }
                }
            },
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault("413", too_large)
        return schema


api = TerangaAPI(
    title="Teranga API",
    version="1",
    description="Service quality of the Espaces Sénégal Services. Staff and devices "
    "authenticate with `Authorization: Bearer <token>`. Errors carry a readable `detail`.",
    urls_namespace="api",
)


def _location(loc) -> str:
    return ".".join(str(part) for part in loc if part not in ("query", "body", "path"))


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [
        {"field": _location(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    detail = "; ".join(f"{e['field'] or 'input'}: {e['message']}" for e in errors)
    return api.create_response(
        request, {"detail": f"Invalid input — {detail}", "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"detail": "You may not do this on this site."}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request,
        {"detail": "Authentication required: send 'Authorization: Bearer <token>'."},
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return api.create_response(request, {"detail": "Request body too large."}, status=413)


@api.exception_handler(ServiceError)
def on_service_error(request, exc: ServiceError):
    return api.create_response(request, exc.body(), status=exc.status)


api.add_router("", network_router)
api.add_router("", reception_router)
api.add_router("", listening_router)
api.add_router("", cases_router)
api.add_router("", quality_router)
api.add_router("", quality_actions_router)
api.add_router("", quality_training_router)
api.add_router("", quality_audits_router)
api.add_router("", quality_mystery_router)
api.add_router("", quality_campaigns_router)
api.add_router("", steering_router)
