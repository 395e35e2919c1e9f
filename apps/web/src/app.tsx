// Routes and the signed-in gate. The code-mode screen and the admin console load on demand so the first page
// stays small.
import { lazy, Suspense } from 'react';
import { Route, Switch } from 'wouter';
import { DeadEnd, PageState } from './components/ui.tsx';
import { errorMessage } from './errors.ts';
import { AuthPage } from './pages/auth-page.tsx';
import { InvitePage } from './pages/invite-page.tsx';
import { ResetPage } from './pages/reset-page.tsx';
import { WorkspacesPage } from './pages/workspaces-page.tsx';
import { useMe } from './session.ts';

const loadWorkspacePage = () => import('./workspace/workspace-page.tsx');
// Opening a workspace link: fetch the code mode while the session is still being checked.
if (location.pathname.startsWith('/w/')) void loadWorkspacePage();
const WorkspacePage = lazy(loadWorkspacePage);
const AdminPage = lazy(() => import('./pages/admin-page.tsx'));
const GalleryPage = lazy(() => import('./pages/gallery-page.tsx'));

export function App() {
  const me = useMe();
  if (me.isPending) return <PageState title="Loading Tandem…" busy />;
  if (me.isError) {
    return (
      <PageState title="Tandem is not reachable" tone="error">
        {errorMessage(me.error)}
      </PageState>
    );
  }
  const user = me.data;
  return (
    <Switch>
      <Route path="/invite/:token">{(params) => <InvitePage token={params.token} me={user} />}</Route>
      <Route path="/reset/:token">{(params) => <ResetPage token={params.token} />}</Route>
      <Route path="/gallery">
        <Suspense fallback={<PageState title="Loading…" busy />}>
          <GalleryPage />
        </Suspense>
      </Route>
      <Route>
        {user ? (
          <Suspense fallback={<PageState title="Loading…" busy />}>
            <Switch>
              <Route path="/">
                <WorkspacesPage me={user} />
              </Route>
              <Route path="/w/:workspaceId">
                {(params) => <WorkspacePage workspaceId={params.workspaceId} me={user} />}
              </Route>
              <Route path="/admin">
                <AdminPage me={user} />
              </Route>
              <Route>
                <DeadEnd title="Page not found" tone="neutral" />
              </Route>
            </Switch>
          </Suspense>
        ) : (
          <AuthPage />
        )}
      </Route>
    </Switch>
  );
}
