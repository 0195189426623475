from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.export_result import ExportResult
from ...types import (
    UNSET,
    File,
    Response,
    Unset,
    absolute_url,
    is_json_media_type,
    json_body,
    media_type_matches,
    request_id_of,
    response_file,
    response_json,
    response_media_type,
    url_with_query,
)

FILE_MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "200": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
    ),
    "206": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
    ),
}
"""Per status pattern, the media types the spec declares for this operation that come back as a File.

Public so that code streaming a response itself (dataarts_export_client.lib) tells a file from a
status object exactly as the generated parsing does, without a copy of the spec's media types.
"""


def request_kwargs(
    project_id: str,
    *,
    uuid: str,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> dict[str, Any]:
    """The httpx arguments of this operation's request: method, url (with its query), headers and body.

    The public seam for code that sends the request itself (to stream the answer, say):
    `client.get_httpx_client().stream(**request_kwargs(...))` sends exactly what sync_detailed sends,
    since sync_detailed and asyncio_detailed build their request here too.
    """
    headers: dict[str, Any] = {}
    if not isinstance(range_, Unset):
        headers["Range"] = range_

    if not isinstance(if_range, Unset):
        headers["If-Range"] = if_range

    headers["workspace"] = workspace

    if not isinstance(x_project_id, Unset):
        headers["X-Project-Id"] = x_project_id

    params: dict[str, Any] = {}

    params["uuid"] = uuid

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": url_with_query(
            "/v2/{project_id}/design/export-result".format(
                project_id=quote(str(project_id), safe=""),
            ),
            params,
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ExportResult | File | None:
    if response.status_code == 200:
        # Several media types are declared for this status: the Content-Type says which one came.
        media_type = response_media_type(response)
        if is_json_media_type(media_type):
            response_200 = ExportResult.from_dict(json_body(response))

            return response_200

        if media_type_matches(media_type, FILE_MEDIA_TYPES["200"]):
            return response_file(response)
        raise errors.UnexpectedContentType(
            response.status_code,
            response.headers.get("Content-Type"),
            response.content,
            request_id=request_id_of(response.headers),
        )

    if response.status_code == 206:
        # Several media types are declared for this status: the Content-Type says which one came.
        media_type = response_media_type(response)
        if media_type_matches(media_type, FILE_MEDIA_TYPES["206"]):
            return response_file(response)
        raise errors.UnexpectedContentType(
            response.status_code,
            response.headers.get("Content-Type"),
            response.content,
            request_id=request_id_of(response.headers),
        )

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response_json(response))

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response_json(response))

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response_json(response))

        return response_403

    if response.status_code == 416:
        response_416 = ErrorResponse.from_dict(response_json(response))

        return response_416

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response_json(response))

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ExportResult | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    uuid: str,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ExportResult | File]:
    """Obtain the Excel export result.

     Obtains the Excel export result based on the UUID returned when the
    service data is exported (`ExportDesignModels`). While the export runs
    the answer is a JSON status object; once it has succeeded the answer is
    the binary Excel file.

    `Content-Type` defaults to `application/json;charset=UTF-8`; it is
    mandatory only when a body is sent, so this bodiless call need not set
    it, and servers must not verify it.

    Flow control (DataArts Architecture API overview): 21600 calls a
    minute for all users, 240 a minute per user; beyond them the API
    gateway answers `429` `APIG.0308`.

    Args:
        project_id (str):
        uuid (str):
        range_ (str | Unset):
        if_range (str | Unset):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ExportResult | File]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        uuid=uuid,
        range_=range_,
        if_range=if_range,
        workspace=workspace,
        x_project_id=x_project_id,
    )

    http = client.get_httpx_client()
    kwargs["url"] = absolute_url(http.base_url, kwargs["url"])
    response = http.request(**kwargs)

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    uuid: str,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ExportResult | File | None:
    """Obtain the Excel export result.

     Obtains the Excel export result based on the UUID returned when the
    service data is exported (`ExportDesignModels`). While the export runs
    the answer is a JSON status object; once it has succeeded the answer is
    the binary Excel file.

    `Content-Type` defaults to `application/json;charset=UTF-8`; it is
    mandatory only when a body is sent, so this bodiless call need not set
    it, and servers must not verify it.

    Flow control (DataArts Architecture API overview): 21600 calls a
    minute for all users, 240 a minute per user; beyond them the API
    gateway answers `429` `APIG.0308`.

    Args:
        project_id (str):
        uuid (str):
        range_ (str | Unset):
        if_range (str | Unset):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ExportResult | File
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        uuid=uuid,
        range_=range_,
        if_range=if_range,
        workspace=workspace,
        x_project_id=x_project_id,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    uuid: str,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ExportResult | File]:
    """Obtain the Excel export result.

     Obtains the Excel export result based on the UUID returned when the
    service data is exported (`ExportDesignModels`). While the export runs
    the answer is a JSON status object; once it has succeeded the answer is
    the binary Excel file.

    `Content-Type` defaults to `application/json;charset=UTF-8`; it is
    mandatory only when a body is sent, so this bodiless call need not set
    it, and servers must not verify it.

    Flow control (DataArts Architecture API overview): 21600 calls a
    minute for all users, 240 a minute per user; beyond them the API
    gateway answers `429` `APIG.0308`.

    Args:
        project_id (str):
        uuid (str):
        range_ (str | Unset):
        if_range (str | Unset):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ExportResult | File]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        uuid=uuid,
        range_=range_,
        if_range=if_range,
        workspace=workspace,
        x_project_id=x_project_id,
    )

    http = client.get_async_httpx_client()
    kwargs["url"] = absolute_url(http.base_url, kwargs["url"])
    response = await http.request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    uuid: str,
    range_: str | Unset = UNSET,
    if_range: str | Unset = UNSET,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ExportResult | File | None:
    """Obtain the Excel export result.

     Obtains the Excel export result based on the UUID returned when the
    service data is exported (`ExportDesignModels`). While the export runs
    the answer is a JSON status object; once it has succeeded the answer is
    the binary Excel file.

    `Content-Type` defaults to `application/json;charset=UTF-8`; it is
    mandatory only when a body is sent, so this bodiless call need not set
    it, and servers must not verify it.

    Flow control (DataArts Architecture API overview): 21600 calls a
    minute for all users, 240 a minute per user; beyond them the API
    gateway answers `429` `APIG.0308`.

    Args:
        project_id (str):
        uuid (str):
        range_ (str | Unset):
        if_range (str | Unset):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ExportResult | File
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            uuid=uuid,
            range_=range_,
            if_range=if_range,
            workspace=workspace,
            x_project_id=x_project_id,
        )
    ).parsed
