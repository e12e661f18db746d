"""`GET /export`: a view of the graph as a file for Gephi, yEd, Cytoscape or a sheet."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from graphsvc.api.access import principal_of
from graphsvc.api.context import Limits
from graphsvc.api.responses import error_response, unavailable
from graphsvc.errors import GraphsvcError, InvalidArgument, NotFound
from graphsvc.export import FORMATS, VIEWS, build_view, render
from graphsvc.investigation import Investigation
from graphsvc.security.scope import BrandScope

log = logging.getLogger(__name__)

TRUNCATED_HEADER = "Graphsvc-Truncated"
"""Response header: `true` when the node limit cut the exported view."""


def export_router(investigation: Investigation, limits: Limits) -> APIRouter:
    """The export endpoint, capped like the GraphQL API by `limits`."""
    router = APIRouter()

    @router.get(
        "/export",
        summary="A neighbourhood, a custody chain or a cluster as a file.",
        response_class=Response,
        responses={
            200: {
                "description": "The view as a file.",
                "headers": {
                    TRUNCATED_HEADER: {
                        "description": "`true` when the node limit cut the view.",
                        "schema": {"type": "string", "enum": ["true", "false"]},
                    }
                },
            },
            "4XX": {
                "description": "A missing, malformed or out-of-bounds parameter"
                " (400), or an unknown id (404): `{error: {code, message, field}}`."
            },
        },
    )
    def export(
        request: Request,
        view: Annotated[str, Query(description=f"One of {', '.join(VIEWS)}.")],
        id: Annotated[
            str,
            Query(description="A node id, an item id, or a cluster id, per view."),
        ],
        format: Annotated[
            str, Query(description=f"One of {', '.join(FORMATS)}.")
        ] = "graphml",
        depth: Annotated[int, Query(description="Neighbourhood depth.")] = 1,
        limit: Annotated[int, Query(description="At most this many nodes.")] = 200,
        brand: Annotated[
            str | None, Query(description="The brand a cluster was found for.")
        ] = None,
    ) -> Response:
        try:
            if format not in FORMATS:
                raise InvalidArgument(
                    "format", f"must be one of {', '.join(FORMATS)}, not {format!r}"
                )
            graph = build_view(
                investigation,
                view,
                id,
                depth=depth,
                limit=limit,
                brand=brand,
                limits=limits,
                scope=BrandScope.of(principal_of(request.scope), investigation.store),
            )
            chosen, body = render(graph, format)
        except InvalidArgument as err:
            return error_response(400, "invalid_argument", str(err), field=err.argument)
        except NotFound as err:
            return error_response(404, "not_found", str(err))
        except GraphsvcError as err:
            log.warning("export.failed view=%s id=%s error=%s", view, id, err)
            return unavailable(err)

        log.info(
            "export.served view=%s id=%s format=%s nodes=%d edges=%d",
            view,
            id,
            format,
            graph.number_of_nodes(),
            graph.number_of_edges(),
        )
        filename = f"{view}-{_safe(id)}.{chosen.suffix}"
        return Response(
            body,
            media_type=chosen.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                # CSV has nowhere to say that the limit cut the view; this does.
                TRUNCATED_HEADER: "true" if graph.graph["truncated"] else "false",
            },
        )

    return router


def _safe(text: str) -> str:
    """`text` reduced to characters that are safe in a file name."""
    kept = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text
    )
    return kept[:80] or "export"
