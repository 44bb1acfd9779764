/* A minimal program built against an installed esock. */
#include <esock/esock.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    if (strcmp(esock_errname(ESOCK_ECLOSED), "closed") != 0)
        return 1;
    puts("consumer ok");
    return 0;
}
