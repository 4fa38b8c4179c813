#include <stdio.h>
int main(void)
{
    puts("leadflow " LF_VERSION);
    return 0;
}
