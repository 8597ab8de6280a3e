//! Talking to the server: timeouts, error mapping, waiting for tasks, index creation.

use super::*;

pub(super) fn engine(message: &str) -> SearchError {
    SearchError::Engine(message.to_owned())
}

/// Bounds a request: the SDK's HTTP client has no timeout of its own.
pub(super) async fn timed<T>(
    request: impl Future<Output = Result<T, MeiliError>>,
) -> Result<T, MeiliError> {
    let answer = tokio::time::timeout(REQUEST_TIMEOUT, request).await;
    answer.unwrap_or_else(|_elapsed| Err(MeiliError::Timeout))
}

pub(super) async fn send<T>(
    request: impl Future<Output = Result<T, MeiliError>>,
) -> SearchResult<T> {
    timed(request).await.map_err(map_error)
}

pub(super) fn map_error(error: MeiliError) -> SearchError {
    match &error {
        MeiliError::Timeout => {
            SearchError::Unavailable("Meilisearch did not answer in time".into())
        }
        MeiliError::HttpError(_) => SearchError::Unavailable(error.to_string()),
        // A gateway in front of Meilisearch answering for it.
        MeiliError::MeilisearchCommunication(failure)
            if (502..=504).contains(&failure.status_code) =>
        {
            SearchError::Unavailable(error.to_string())
        }
        _ => SearchError::Engine(error.to_string()),
    }
}

pub(super) fn is_index_not_found(error: &MeiliError) -> bool {
    matches!(error, MeiliError::Meilisearch(failure) if failure.error_code == ErrorCode::IndexNotFound)
}

/// Waits for an enqueued task; a failed task is an engine error.
pub(super) async fn wait(client: &Client, task: TaskInfo) -> SearchResult<()> {
    let poll = Some(Duration::from_millis(50));
    let waiting = client.wait_for_task(&task, poll, Some(TASK_TIMEOUT));
    let done = tokio::time::timeout(TASK_TIMEOUT + REQUEST_TIMEOUT, waiting).await;
    match done
        .unwrap_or_else(|_elapsed| Err(MeiliError::Timeout))
        .map_err(map_error)?
    {
        Task::Failed { content } => Err(SearchError::Engine(format!(
            "Meilisearch task {} failed: {}",
            task.task_uid, content.error
        ))),
        _ => Ok(()),
    }
}

/// Enqueues a task and waits for it.
pub(super) async fn run_task(
    client: &Client,
    enqueue: impl Future<Output = Result<TaskInfo, MeiliError>>,
) -> SearchResult<()> {
    wait(client, send(enqueue).await?).await
}

pub(super) async fn enqueue_upserts(
    client: &Client,
    uid: &str,
    documents: &[ProductDocument],
) -> SearchResult<Vec<TaskInfo>> {
    let index = client.index(uid);
    let mut tasks = Vec::new();
    for chunk in documents.chunks(UPSERT_CHUNK) {
        let body: Vec<Value> = chunk.iter().map(document_json).collect();
        tasks.push(send(index.add_or_replace(&body, Some("id"))).await?);
    }
    Ok(tasks)
}

/// Creates the index (primary key `id`) unless it exists.
pub(super) async fn ensure_index(client: &Client, uid: &str) -> SearchResult<()> {
    match timed(client.get_index(uid)).await {
        Ok(_) => return Ok(()),
        Err(error) if is_index_not_found(&error) => {}
        Err(error) => return Err(map_error(error)),
    }
    let created = run_task(client, client.create_index(uid, Some("id"))).await;
    // Losing a race with another instance creating it is fine.
    if created.is_err() && timed(client.get_index(uid)).await.is_ok() {
        return Ok(());
    }
    created
}

pub(super) async fn apply_settings(client: &Client, uid: &str) -> SearchResult<()> {
    run_task(client, client.index(uid).set_settings(&index_settings())).await
}
