/* The application's description handed to the runtime: see app.h. */
#include "app.h"

void app_use(const struct app *app)
{
    db_use_statements(app->statements, app->statement_count);
    db_use_url(NULL, app->name);
    problems_use(app->problems, app->problem_count);
}
