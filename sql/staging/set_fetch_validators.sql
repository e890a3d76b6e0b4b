-- Purpose: keep a response's validators with its fetch row, for the next conditional request (areas stage).
-- Inputs:  source_fetch; $fetch_id, $etag, $last_modified (either may be NULL: the server did not send it).
-- Output:  the fetch row updated.
UPDATE source_fetch SET etag = $etag, last_modified = $last_modified WHERE fetch_id = $fetch_id;
