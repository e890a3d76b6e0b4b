-- Purpose: mark runs still 'running' as 'interrupted'. Run under the warehouse lock, so none of them is alive: a
--          process killed (or ended by a signal before it could record it) left them so.
-- Inputs:  $finished_at.
-- Output:  those run rows updated.
UPDATE run SET outcome = 'interrupted', finished_at = COALESCE(finished_at, $finished_at::TIMESTAMP) WHERE outcome = 'running';
