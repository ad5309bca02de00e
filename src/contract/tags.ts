/** The OpenAPI document's tags: the partner API's operations, and the sandbox's own control API. */
export const API_TAG = 'Chats';
export const CONTROL_TAG = 'Sandbox control';
