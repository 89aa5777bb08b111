module tasklets

go 1.19
