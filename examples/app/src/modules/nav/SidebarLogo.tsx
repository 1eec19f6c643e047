import {
  Link,
  sidebarConfig,
  useSidebarOpenState,
} from '@backstage/core-components';
import { makeStyles, Typography } from '@material-ui/core';
import MemoryIcon from '@material-ui/icons/Memory';

const useStyles = makeStyles(theme => ({
  root: {
    height: 3 * sidebarConfig.logoHeight,
    display: 'flex',
    alignItems: 'center',
    paddingLeft: 24,
    color: theme.palette.common.white,
  },
  title: { marginLeft: theme.spacing(1), fontWeight: 700 },
}));

export const SidebarLogo = () => {
  const classes = useStyles();
  const { isOpen } = useSidebarOpenState();
  return (
    <Link to="/" underline="none" aria-label="Home" className={classes.root}>
      <MemoryIcon />
      {isOpen && (
        <Typography variant="h6" className={classes.title}>
          MLOps on EKS
        </Typography>
      )}
    </Link>
  );
};
