// Token issue/verify, guards, @Scopes/@Roles, RBAC matrix, impersonation.
