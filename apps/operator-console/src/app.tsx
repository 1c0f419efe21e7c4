import { type createBrowserRouter, RouterProvider } from 'react-router';

type ConsoleRouter = ReturnType<typeof createBrowserRouter>;

/** The console: its router decides the page (browser history in the app, memory in tests). */
export function App({ router }: { router: ConsoleRouter }) {
  return <RouterProvider router={router} />;
}
