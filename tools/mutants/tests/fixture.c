/*
 * Input of tools/mutants/tests/mutgen.sh: a function in the core's style
 * with an unwind path, from which mutgen.pl must derive the mutants that
 * test names. Never compiled.
 */
int iofd_fixture_open(struct iofd_ctx *ctx, struct iofd_error *err)
{
	int fd, ret;

	fd = iofd_host_open(ctx, "/dev/iommu", O_RDWR);
	if (fd < 0)
		return iofd_err_set(err, -fd, "open");

	ret = iofd_fixture_attach(ctx, fd, err);
	if (ret)
		goto err_close_fd;

	ret = iofd_fixture_map(ctx, fd, err);
	if (ret)
		goto err_detach;
	return 0;

err_detach:
	iofd_fixture_detach(ctx, fd);
err_close_fd:
	iofd_fixture_free(ctx);
	iofd_host_close(ctx, fd);
	return ret;
}
