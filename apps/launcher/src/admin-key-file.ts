/** The first administrator key's file, in LOOM_DATA_DIR. */
export const ADMIN_KEY_FILE = 'admin-api-key'
