from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.import_result import ImportResult
from ...types import UNSET, Response, Unset, absolute_url, response_json, url_with_query

FILE_MEDIA_TYPES: dict[str, tuple[str, ...]] = {}
"""Per status pattern, the media types the spec declares for this operation that come back as a File.

Public so that code streaming a response itself (dataarts_export_client.lib) tells a file from a
status object exactly as the generated parsing does, without a copy of the spec's media types.
"""


def request_kwargs(
    project_id: str,
    *,
    uuid: str,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> dict[str, Any]:
    """The httpx arguments of this operation's request: method, url (with its query), headers and body.

    The public seam for code that sends the request itself (to stream the answer, say):
    `client.get_httpx_client().stream(**request_kwargs(...))` sends exactly what sync_detailed sends,
    since sync_detailed and asyncio_detailed build their request here too.
    """
    headers: dict[str, Any] = {}
    headers["workspace"] = workspace

    if not isinstance(x_project_id, Unset):
        headers["X-Project-Id"] = x_project_id

    params: dict[str, Any] = {}

    params["uuid"] = uuid

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": url_with_query(
            "/v2/{project_id}/design/catelogs/process-import".format(
                project_id=quote(str(project_id), safe=""),
            ),
            params,
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ImportResult | None:
    if response.status_code == 200:
        response_200 = ImportResult.from_dict(response_json(response))

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response_json(response))

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response_json(response))

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response_json(response))

        return response_403

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response_json(response))

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ImportResult]:
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
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ImportResult]:
    """Obtain the result of an Excel import.

     The progress and outcome of an import started by `ImportModels` or
    `ImportCatalogs` (`DsProcessImportResultVO`, the object
    `ExportDesignResult` answers while an export runs). `group` carries
    the counts (`total`, `success`, `failed`) and, in `groups`, one
    group per imported row (`biz_name`, `operation_status`, `remark`,
    `logs`). Huawei spells the path `catelogs`. Sources: the API
    Explorer definition `ImportResult` (with its documented 200
    example) and the official SDK's `ImportResultRequest`.

    Flow control: 21600 calls a minute for all users, 240 a minute per
    user, as DataArts Architecture's API overview gives every query API
    (no row for this call in its stored copy: partly an assumption).

    Args:
        project_id (str):
        uuid (str):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ImportResult]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        uuid=uuid,
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
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ImportResult | None:
    """Obtain the result of an Excel import.

     The progress and outcome of an import started by `ImportModels` or
    `ImportCatalogs` (`DsProcessImportResultVO`, the object
    `ExportDesignResult` answers while an export runs). `group` carries
    the counts (`total`, `success`, `failed`) and, in `groups`, one
    group per imported row (`biz_name`, `operation_status`, `remark`,
    `logs`). Huawei spells the path `catelogs`. Sources: the API
    Explorer definition `ImportResult` (with its documented 200
    example) and the official SDK's `ImportResultRequest`.

    Flow control: 21600 calls a minute for all users, 240 a minute per
    user, as DataArts Architecture's API overview gives every query API
    (no row for this call in its stored copy: partly an assumption).

    Args:
        project_id (str):
        uuid (str):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ImportResult
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        uuid=uuid,
        workspace=workspace,
        x_project_id=x_project_id,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    uuid: str,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ImportResult]:
    """Obtain the result of an Excel import.

     The progress and outcome of an import started by `ImportModels` or
    `ImportCatalogs` (`DsProcessImportResultVO`, the object
    `ExportDesignResult` answers while an export runs). `group` carries
    the counts (`total`, `success`, `failed`) and, in `groups`, one
    group per imported row (`biz_name`, `operation_status`, `remark`,
    `logs`). Huawei spells the path `catelogs`. Sources: the API
    Explorer definition `ImportResult` (with its documented 200
    example) and the official SDK's `ImportResultRequest`.

    Flow control: 21600 calls a minute for all users, 240 a minute per
    user, as DataArts Architecture's API overview gives every query API
    (no row for this call in its stored copy: partly an assumption).

    Args:
        project_id (str):
        uuid (str):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ImportResult]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        uuid=uuid,
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
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ImportResult | None:
    """Obtain the result of an Excel import.

     The progress and outcome of an import started by `ImportModels` or
    `ImportCatalogs` (`DsProcessImportResultVO`, the object
    `ExportDesignResult` answers while an export runs). `group` carries
    the counts (`total`, `success`, `failed`) and, in `groups`, one
    group per imported row (`biz_name`, `operation_status`, `remark`,
    `logs`). Huawei spells the path `catelogs`. Sources: the API
    Explorer definition `ImportResult` (with its documented 200
    example) and the official SDK's `ImportResultRequest`.

    Flow control: 21600 calls a minute for all users, 240 a minute per
    user, as DataArts Architecture's API overview gives every query API
    (no row for this call in its stored copy: partly an assumption).

    Args:
        project_id (str):
        uuid (str):
        workspace (str):
        x_project_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ImportResult
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            uuid=uuid,
            workspace=workspace,
            x_project_id=x_project_id,
        )
    ).parsed
