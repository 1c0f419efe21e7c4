import type { ConsoleArea } from '../../navigation';

/** Area registration: its routes and sidebar entries. */
export const setupArea: ConsoleArea = {
  globalRoutes: [],
  workspaceRoutes: [],
  nav: [],
};
