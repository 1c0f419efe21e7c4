import type { ConsoleArea } from '../../navigation';

/** Area registration: its routes and sidebar entries. */
export const operationsArea: ConsoleArea = {
  globalRoutes: [],
  workspaceRoutes: [],
  nav: [],
};
