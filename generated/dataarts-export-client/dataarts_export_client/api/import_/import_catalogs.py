from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.excel_upload import ExcelUpload
from ...models.export_models_result import ExportModelsResult
from ...models.import_catalogs_action_id import ImportCatalogsActionId
from ...types import UNSET, Response, Unset, absolute_url, response_json, url_with_query

FILE_MEDIA_TYPES: dict[str, tuple[str, ...]] = {}
"""Per status pattern, the media types the spec declares for this operation that come back as a File.

Public so that code streaming a response itself (dataarts_export_client.lib) tells a file from a
status object exactly as the generated parsing does, without a copy of the spec's media types.
"""


def request_kwargs(
    project_id: str,
    *,
    body: ExcelUpload,
    action_id: ImportCatalogsActionId,
    skip_exist: bool | Unset = False,
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

    json_action_id = action_id.value
    params["action-id"] = json_action_id

    params["skip-exist"] = skip_exist

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": url_with_query(
            "/v2/{project_id}/design/catalogs/action".format(
                project_id=quote(str(project_id), safe=""),
            ),
            params,
        ),
    }

    _kwargs["files"] = body.to_multipart()

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ExportModelsResult | None:
    if response.status_code == 200:
        response_200 = ExportModelsResult.from_dict(response_json(response))

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
) -> Response[ErrorResponse | ExportModelsResult]:
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
    body: ExcelUpload,
    action_id: ImportCatalogsActionId,
    skip_exist: bool | Unset = False,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ExportModelsResult]:
    """Import subjects from an Excel file.

     Uploads the subject workbook (`multipart/form-data`, field `file`)
    and starts importing it; answers the import's `uuid`, which
    `ImportResult` takes. Sources: the API Explorer definition
    `ImportCatalogs` and the official SDK's `ImportCatalogsRequest`.

    Flow control: as `ImportModels`, 10800 calls a minute for all users,
    120 a minute per user (partly an assumption).

    Args:
        project_id (str):
        action_id (ImportCatalogsActionId):
        skip_exist (bool | Unset):  Default: False.
        workspace (str):
        x_project_id (str | Unset):
        body (ExcelUpload): The form of an import call.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ExportModelsResult]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        body=body,
        action_id=action_id,
        skip_exist=skip_exist,
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
    body: ExcelUpload,
    action_id: ImportCatalogsActionId,
    skip_exist: bool | Unset = False,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ExportModelsResult | None:
    """Import subjects from an Excel file.

     Uploads the subject workbook (`multipart/form-data`, field `file`)
    and starts importing it; answers the import's `uuid`, which
    `ImportResult` takes. Sources: the API Explorer definition
    `ImportCatalogs` and the official SDK's `ImportCatalogsRequest`.

    Flow control: as `ImportModels`, 10800 calls a minute for all users,
    120 a minute per user (partly an assumption).

    Args:
        project_id (str):
        action_id (ImportCatalogsActionId):
        skip_exist (bool | Unset):  Default: False.
        workspace (str):
        x_project_id (str | Unset):
        body (ExcelUpload): The form of an import call.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ExportModelsResult
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        body=body,
        action_id=action_id,
        skip_exist=skip_exist,
        workspace=workspace,
        x_project_id=x_project_id,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExcelUpload,
    action_id: ImportCatalogsActionId,
    skip_exist: bool | Unset = False,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> Response[ErrorResponse | ExportModelsResult]:
    """Import subjects from an Excel file.

     Uploads the subject workbook (`multipart/form-data`, field `file`)
    and starts importing it; answers the import's `uuid`, which
    `ImportResult` takes. Sources: the API Explorer definition
    `ImportCatalogs` and the official SDK's `ImportCatalogsRequest`.

    Flow control: as `ImportModels`, 10800 calls a minute for all users,
    120 a minute per user (partly an assumption).

    Args:
        project_id (str):
        action_id (ImportCatalogsActionId):
        skip_exist (bool | Unset):  Default: False.
        workspace (str):
        x_project_id (str | Unset):
        body (ExcelUpload): The form of an import call.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        Response[ErrorResponse | ExportModelsResult]
    """

    kwargs = request_kwargs(
        project_id=project_id,
        body=body,
        action_id=action_id,
        skip_exist=skip_exist,
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
    body: ExcelUpload,
    action_id: ImportCatalogsActionId,
    skip_exist: bool | Unset = False,
    workspace: str,
    x_project_id: str | Unset = UNSET,
) -> ErrorResponse | ExportModelsResult | None:
    """Import subjects from an Excel file.

     Uploads the subject workbook (`multipart/form-data`, field `file`)
    and starts importing it; answers the import's `uuid`, which
    `ImportResult` takes. Sources: the API Explorer definition
    `ImportCatalogs` and the official SDK's `ImportCatalogsRequest`.

    Flow control: as `ImportModels`, 10800 calls a minute for all users,
    120 a minute per user (partly an assumption).

    Args:
        project_id (str):
        action_id (ImportCatalogsActionId):
        skip_exist (bool | Unset):  Default: False.
        workspace (str):
        x_project_id (str | Unset):
        body (ExcelUpload): The form of an import call.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.
        errors.UnexpectedContentType: If a documented status comes with a Content-Type the spec does not declare for it.
        errors.InvalidJSONBody: If a JSON response body is not valid JSON.

    Returns:
        ErrorResponse | ExportModelsResult
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
            action_id=action_id,
            skip_exist=skip_exist,
            workspace=workspace,
            x_project_id=x_project_id,
        )
    ).parsed
