"""The health check: ``/api/health`` answers 200 once the site serves (what ``serve_process`` and
a load balancer wait for)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/api/health")
async def health() -> dict[str, bool]:
    return {"ok": True}
