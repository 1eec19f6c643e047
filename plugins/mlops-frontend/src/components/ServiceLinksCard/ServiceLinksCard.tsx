import { Entity } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import CloudQueueIcon from '@material-ui/icons/CloudQueue';
import DashboardIcon from '@material-ui/icons/Dashboard';
import GitHubIcon from '@material-ui/icons/GitHub';
import LayersIcon from '@material-ui/icons/Layers';
import StorageIcon from '@material-ui/icons/Storage';
import { ServiceLinkKind, serviceLinks } from './serviceLinks';

const ICONS: Record<ServiceLinkKind, JSX.Element> = {
  ecr: <LayersIcon />,
  github: <GitHubIcon />,
  tfstate: <StorageIcon />,
  eks: <CloudQueueIcon />,
  dashboard: <DashboardIcon />,
};

export function ServiceLinksCard(props: { entity: Entity }) {
  const links = serviceLinks(props.entity);
  return (
    <InfoCard title="Links">
      {links.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          Annotate the entity with mlops/ecr-repository,
          github.com/project-slug, mlops/tfstate or mlops/eks-cluster (with
          mlops/aws-region), or add links of type dashboard, to list them here.
        </Typography>
      ) : (
        <List dense aria-label="Service links">
          {links.map(link => (
            <ListItem key={link.url}>
              <ListItemIcon aria-hidden>{ICONS[link.kind]}</ListItemIcon>
              <ListItemText primary={<Link to={link.url}>{link.title}</Link>} />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
