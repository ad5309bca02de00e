export const CONTROL_TAG = 'Sandbox control';
