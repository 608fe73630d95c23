"""What several features need: workflow, calendar, photos, storage, notices, permissions, audit."""
